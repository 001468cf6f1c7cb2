"""The watching session without a screen: the controller (tui.deck.controller) owns config, watch
lists, board and engine; the dashboard screen only draws what it returns."""
