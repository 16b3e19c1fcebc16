{{ adoption_mart('use_case') }}
