{{ retention_mart('feature') }}
