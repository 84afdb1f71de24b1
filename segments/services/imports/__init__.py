"""Bulk import of endpoints (Pinpoint's CreateImportJob): create.py makes jobs, runner.py runs them."""
