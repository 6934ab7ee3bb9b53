"""The project's benchmark: every example, both presets, several seeds, baselines side by side.

    python -m benchmarks                                  # everything, 5 seeds
    python -m benchmarks --examples spam,airline --seeds 3
    python -m benchmarks --quick                          # dry-run sizes: checks the harness
"""
