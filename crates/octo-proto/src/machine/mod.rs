//! State machines for OCTO's flows: payments, card binding, and tokens.
