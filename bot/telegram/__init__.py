"""The only package that imports Telethon. Telethon types are converted here and go no further."""
