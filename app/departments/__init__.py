"""Several departments per assessment: inviting colleagues and their answers by private link."""
