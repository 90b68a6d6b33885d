"""The in-portal notifications of coordination: members told when their agency is added to an
operation, when its plan changes and when it starts."""
