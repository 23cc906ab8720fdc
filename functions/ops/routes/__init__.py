"""The ops API's routes, one Powertools `Router` per area; `handlers/api.py` includes them all.

Each route imports the logic and models it uses when it first runs: a request is one route, and
importing all sixteen routes' models at cold start (pydantic classes for views, reconciliation
runs, exceptions, allocation rules) would make every request pay for the fifteen it is not.
"""
