"""Nodes for the scenarios: the service's rule driven through the harness's tools."""
