{#- On every row, `column_name` <= `other_column` (e.g. activated accounts <= new accounts). -#}
{% test not_greater_than(model, column_name, other_column) %}
select {{ column_name }}, {{ other_column }}
from {{ model }}
where {{ column_name }} > {{ other_column }}
{% endtest %}
