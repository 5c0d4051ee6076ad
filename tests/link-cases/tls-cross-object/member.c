__thread int member_value = 77;
