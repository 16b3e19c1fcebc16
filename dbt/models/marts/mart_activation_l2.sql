{{ activation_mart('feature') }}
