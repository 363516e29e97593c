"""Figure code moved out of the chapters: one module per figure idea, so teaching cells stay short."""
