{{ adoption_mart('feature') }}
