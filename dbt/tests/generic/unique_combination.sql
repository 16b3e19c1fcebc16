{#-
  The columns of `combination` are unique together, e.g. [person_id, backup_id]: every model holds one slice per
  backup, so an entity id repeats across backups and dbt's `unique` would be wrong.
-#}
{% test unique_combination(model, combination) %}
select
    {{ combination | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ combination | join(', ') }}
having count(*) > 1
{% endtest %}
