{#-
  Every non-null `column_name` exists in `to`.`field` within the same backup. In a build for some backups the
  child is already restricted to them (`get_where_subquery`); the parent is restricted here likewise.
-#}
{% test relationships_by_backup(model, column_name, to, field, backup_column='backup_id') %}
with child as (
    select {{ column_name }} as child_key, {{ backup_column }} as child_backup
    from {{ model }}
    where {{ column_name }} is not null
),

parent as (
    select {{ field }} as parent_key, {{ backup_column }} as parent_backup
    from {{ to }}
    where {{ backup_filter(backup_column) }}
)

select
    child.child_key as {{ column_name }},
    child.child_backup as {{ backup_column }}
from child
left join parent
    on child.child_key = parent.parent_key
    and child.child_backup = parent.parent_backup
where parent.parent_key is null
{% endtest %}
