import Lasso
