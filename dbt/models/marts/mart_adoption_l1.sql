{{ config(materialized='backup_versions', version_key='activity_week') }}
{{ adoption_mart('use_case') }}
