"""The orbital environment: thermosphere density (NRLMSIS 2.1, orbit-averaged), the solar cycle, drag, station
keeping, natural decay and disposal; debris and shell capacity."""
