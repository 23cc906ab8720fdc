"""`make demo`: boot the local stack, drive a scenario built from `events/` fixtures, print a report.

scenario.py  the deliveries, in order, each with the answer it must get (pure data)
driver.py    sends them over HTTP to the local stack exactly as the vendors would (signed raw bytes)
report.py    reads the outcome back through the ops API and the sandboxes, checks it, renders it
__main__.py  the command: progress while booting and running, the report, exit 1 on any mismatch
"""
