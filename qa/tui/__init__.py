"""The full-screen face of qa (`qa chat`): a thin Textual layer over qa.api."""
