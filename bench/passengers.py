"""What every bench's simulated passenger pays with: the simulator's test card that always succeeds."""

CARD = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
