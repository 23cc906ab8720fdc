"""The operator CLI (`retail-sync`): the ops API from a terminal, locally or deployed."""
