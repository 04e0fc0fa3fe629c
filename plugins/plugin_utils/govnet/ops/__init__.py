"""Operations on a build: rollout, compliance against running devices, call records and their report."""
