{{ activation_mart('use_case') }}
