"""The I/O-bound workload of sim_shards.py (`--workload io`): a node and its scenarios."""
