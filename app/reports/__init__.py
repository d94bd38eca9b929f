"""The figures the network reports: the yearly report, per event and per working group, as pages,
CSV and PDF."""
