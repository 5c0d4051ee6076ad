__thread int counter = 10;
__thread long zero;
