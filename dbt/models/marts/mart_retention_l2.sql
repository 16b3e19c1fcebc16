{{ config(materialized='backup_versions', version_key='cohort_week') }}
{{ retention_mart('feature') }}
