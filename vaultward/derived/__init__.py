"""Views computed from facts under the policy, at evaluation: people and identity classes,
signers and quorums, zones and their conflicts, wallet value tiers and prices, the phishing
programme, names people use. Checks reach them through `CheckContext`; the evaluation
stores the inventories built from them."""
