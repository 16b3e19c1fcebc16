{{ config(materialized='backup_versions', version_key='cohort_week') }}
{{ activation_mart('use_case') }}
