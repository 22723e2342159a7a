"""Helpers the tests share beyond fixtures: the sample server that misbehaves on command."""
