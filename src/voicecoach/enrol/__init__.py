"""Enrolment: recording a person's own command words and tuning the spotter to them."""
