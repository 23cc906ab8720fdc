"""ReturnFlow: returns from authorization to refund (issue 9)."""
