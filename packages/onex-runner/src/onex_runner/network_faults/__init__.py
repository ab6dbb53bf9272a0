"""Network faults (latency, bandwidth, timeout, reset_peer, slicer, down, up): one
`FaultHandler` each (`network`), on proxies of the scenario's own (`routing`), or on a mock that
models the fault (`mocked`)."""
