"""Booking: a passenger's request for seats on a train run, from request to sale, failure or cancellation."""
