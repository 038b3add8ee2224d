"""The plain reference path of indicator extraction: the finders, working copy and extraction as
they were before their fast paths. The differential tests hold the fast path to its output."""
