"""Tickets: numbers, the signed QR code a conductor verifies offline, the PDF, the IssueTicket task."""
