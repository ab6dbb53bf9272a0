"""Nodes under test for the example scenarios (scenarios/), and the defect switches."""
