"""Coverage-guided fuzzing of every decoder (atheris): harnesses, corpora, replay."""
