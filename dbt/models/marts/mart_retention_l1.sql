{{ retention_mart('use_case') }}
