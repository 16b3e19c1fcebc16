{#- Every non-null `column_name` exists in `to`.`field` within the same backup. -#}
{% test relationships_by_backup(model, column_name, to, field, backup_column='backup_id') %}
select
    child.{{ column_name }},
    child.{{ backup_column }}
from {{ model }} as child
left join {{ to }} as parent
    on child.{{ column_name }} = parent.{{ field }}
    and child.{{ backup_column }} = parent.{{ backup_column }}
where child.{{ column_name }} is not null
    and parent.{{ field }} is null
{% endtest %}
