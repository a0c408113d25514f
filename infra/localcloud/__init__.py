"""The embedded local cloud: moto made correct, Lambda workers, stream delivery and a one-port gateway."""
