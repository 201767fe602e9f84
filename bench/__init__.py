"""samizdat's benchmarks: every figure is reported with its goal and with the raw
primitive it is compared to, measured in the same run (the machines are shared and
noisy, so absolute timings are never asserted anywhere)."""
