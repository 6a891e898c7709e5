"""Readers that turn input files of every kind into contract data with positions."""
