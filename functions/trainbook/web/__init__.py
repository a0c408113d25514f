"""What every REST router shares: who is calling, and the one error shape (a leaf: it imports no context)."""
