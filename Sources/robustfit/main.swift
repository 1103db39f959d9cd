print("robustfit")
