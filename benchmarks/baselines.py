"""Non-recurrent baselines, computed on exactly the data and splits the examples use: the
scripts' own loading and splitting functions are imported, so a seed means the same split.
None of them looks at the test set before predicting it."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np

from common import cli, data, forecasting

# The figures the chapter prints, shown next to ours (None: the chapter prints no accuracy).
CHAPTER_FIGURES = {"spam": "96.2% accuracy", "airline": "none", "sentiment": "98.58% accuracy",
                   "har": "89.5% accuracy"}


def _timed(label: str, short: str, compute) -> dict:
    start = time.perf_counter()
    metrics = compute()
    return {"label": label, "short": short, "metrics": metrics,
            "seconds": round(time.perf_counter() - start, 2)}


def _svm_text_classifier(analyzer: str, ngrams: tuple[int, int],
                         lexicon: dict[str, float] | None = None, c: float = 1.0):
    """TF-IDF n-grams + LinearSVC; analyzer "word+char" joins word 1-2-grams and character
    2-5-grams (the union, each TF-IDF block normalised on its own); "char+lexicon" joins the
    character 2-5-grams and the sentence's sums of the lexicon's positive and negative
    valences (common/distill.lexicon_features), what the sentiment best preset reads too."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    from common.distill import lexicon_features

    if analyzer == "word+char":
        features = make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True))
    elif analyzer == "char+lexicon":
        features = make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            lexicon_features(lexicon))
    else:
        features = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True)
    # dual="auto": the default from scikit-learn 1.5, said outright so 1.4 solves it alike
    return make_pipeline(features, LinearSVC(C=c, dual="auto"))


TEXT_SVMS = {  # name: (label, short label, analyzer, n-grams)
    "tfidf_word_1_2_svm": ("TF-IDF word 1-2-grams + LinearSVC", "word SVM", "word", (1, 2)),
    "tfidf_char_2_5_svm": ("TF-IDF char 2-5-grams + LinearSVC", "char SVM", "char_wb", (2, 5)),
    "tfidf_word_char_svm": ("TF-IDF word 1-2 + char 2-5-grams + LinearSVC", "word+char SVM",
                            "word+char", None),
}
# With a sentiment lexicon (the sentiment best preset reads one), the same knowledge for an SVM.
LEXICON_SVM = {"tfidf_char_lexicon_svm": ("TF-IDF char 2-5-grams + lexicon valence sums + "
                                          "LinearSVC", "char+lexicon SVM", "char+lexicon", None)}


# The SVMs' regularisation, chosen like the networks' settings: on the training data only.
SVM_C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)


def text_svms(fit_xy, eval_xy, spam_label: int | None = None,
              lexicon: dict[str, float] | None = None, tune_c: bool = False) -> dict[str, dict]:
    """Every TEXT_SVMS (and with a `lexicon`, LEXICON_SVM) fitted on `fit_xy` (texts, labels),
    scored on `eval_xy`: accuracy, and the F1 of `spam_label` when given. Timed rows, as the
    benchmark reports baselines. C is 1, or with `tune_c` the SVM_C_GRID value with the best
    stratified 5-fold cross-validated accuracy on `fit_xy` (recorded as "svm_c"; fewer folds
    when a class has fewer than 5 texts, none below 2)."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    (x_fit, y_fit), (x_eval, y_eval) = fit_xy, eval_xy
    folds = min(5, int(np.unique(y_fit, return_counts=True)[1].min()))  # tiny --quick data
    tune_c = tune_c and folds >= 2

    def fit_score(analyzer, ngrams):
        def compute():
            model = _svm_text_classifier(analyzer, ngrams, lexicon)
            if tune_c:
                model = GridSearchCV(model, {"linearsvc__C": list(SVM_C_GRID)},
                                     cv=StratifiedKFold(folds, shuffle=True, random_state=0))
            predicted = model.fit(list(x_fit), y_fit).predict(list(x_eval))
            metrics = {"test_accuracy": float((predicted == y_eval).mean())}
            if tune_c:
                metrics["svm_c"] = float(model.best_params_["linearsvc__C"])
            if spam_label is not None:
                metrics["spam_f1"] = float(f1_score(y_eval, predicted, pos_label=spam_label,
                                                    zero_division=0))
            return metrics
        return compute

    svms = {**TEXT_SVMS, **(LEXICON_SVM if lexicon else {})}
    return {name: _timed(label + (", C by 5-fold CV" if tune_c else ""), short,
                         fit_score(analyzer, ngrams))
            for name, (label, short, analyzer, ngrams) in svms.items()}


"""## spam: TF-IDF n-grams + linear SVM on spam_rnn.py's 75/25 split"""


def spam(seed: int, quick: bool = False) -> dict[str, dict]:
    import spam_rnn

    texts, labels = spam_rnn.load_messages(data.locate(data.SMS_SPAM, cli.DEFAULT_DATA_DIR))
    if quick:
        texts, labels = texts[:spam_rnn.DRY_RUN_SAMPLES], labels[:spam_rnn.DRY_RUN_SAMPLES]
    train_xy, test_xy = spam_rnn.split_data(texts, labels, seed)
    return text_svms(train_xy, test_xy, spam_label=spam_rnn.SPAM, tune_c=True)


"""## sentiment: TF-IDF + linear SVM on sentiment_lstm.py's stratified split"""


def sentiment(seed: int, quick: bool = False) -> dict[str, dict]:
    import sentiment_lstm

    config = dict(sentiment_lstm.PRESETS["best"], seed=seed)  # keeps the stopwords
    _, cleaned, labels, _, (train_ix, val_ix, test_ix) = sentiment_lstm.prepare(
        cli.DEFAULT_DATA_DIR, config, dry_run=quick)
    cleaned = np.array(cleaned, dtype=object)
    fit_ix = np.concatenate([train_ix, val_ix])  # nothing to select on: validation joins training
    return text_svms((cleaned[fit_ix], labels[fit_ix]), (cleaned[test_ix], labels[test_ix]),
                     lexicon=sentiment_lstm.lexicon_for(cli.DEFAULT_DATA_DIR, config),
                     tune_c=True)


"""## airline: naive forecasts, Holt-Winters and two seasonal ARIMAs on the 36 test months"""


# statsmodels' optimisers for Holt-Winters: its default (a brute-force start, then L-BFGS-B)
# and two that start from its heuristic values. On the airline's 108 training months the
# default stopped at a worse fit (sum of squared errors 5470 on an Intel Xeon, and by its
# figures 5404 on an AMD EPYC) than least squares (5138), so the baseline was too weak.
HOLT_WINTERS_METHODS = ("L-BFGS-B", "least_squares", "SLSQP")


def fit_holt_winters(train: np.ndarray, **spec):
    """The Holt-Winters fit with the lowest sum of squared errors on the training months over
    HOLT_WINTERS_METHODS: the estimator's own criterion, so the baseline does not depend on
    which local optimum one optimiser on one CPU finds."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    fits = [ExponentialSmoothing(train, initialization_method="estimated", **spec).fit(
        method=method) for method in HOLT_WINTERS_METHODS]
    return min(fits, key=lambda fitted: fitted.sse)


def holt_winters(train: np.ndarray, test: np.ndarray) -> dict:
    """Additive trend, multiplicative season, fitted on the training months (fit_holt_winters).
    One-step: the fitted smoothing run on over the test months with its parameters frozen."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    spec = dict(trend="add", seasonal="mul", seasonal_periods=12)
    fitted = fit_holt_winters(train, **spec)
    p = fitted.params
    frozen = ExponentialSmoothing(
        np.concatenate([train, test]), initialization_method="known",
        initial_level=p["initial_level"], initial_trend=p["initial_trend"],
        initial_seasonal=p["initial_seasons"], **spec).fit(
        smoothing_level=p["smoothing_level"], smoothing_trend=p["smoothing_trend"],
        smoothing_seasonal=p["smoothing_seasonal"], optimized=False)
    return forecasting.scores(test, frozen.fittedvalues[len(train):], fitted.forecast(len(test)))


def sarima(train: np.ndarray, test: np.ndarray) -> dict:
    """The airline model, SARIMA (0,1,1)(0,1,1)12 on log passengers, fitted on the training
    months; one-step forecasts filter the test months with the parameters frozen."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    spec = dict(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12))
    fitted = SARIMAX(np.log(train), **spec).fit(disp=False)
    frozen = fitted.apply(np.log(np.concatenate([train, test])))
    one_step = np.exp(frozen.get_prediction(start=len(train)).predicted_mean)
    return forecasting.scores(test, one_step, np.exp(fitted.forecast(len(test))))


# The seasonal ARIMA orders searched by auto_arima: one regular and one seasonal difference,
# as the airline model, and up to 2 regular and 1 seasonal AR and MA terms.
AUTO_ARIMA_ORDERS = [((p, 1, q), (sp, 1, sq, 12)) for p in range(3) for q in range(3)
                     for sp in range(2) for sq in range(2)]


# --quick: the first 3 orders (a smoke test of the search; 36 fits take 7-10 s on 2 cores).
QUICK_ORDERS = 3


def fit_auto_arima(train: np.ndarray, orders: list | None = None):
    """The model of `orders` (default AUTO_ARIMA_ORDERS) with the lowest AIC on the training
    months, fitted on the series itself (no logarithm): the kind of search sktime's
    AutoARIMA makes."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    fits = []
    with warnings.catch_warnings():  # starting values and convergence chatter of 36 fits
        warnings.simplefilter("ignore")
        for order, seasonal_order in AUTO_ARIMA_ORDERS if orders is None else orders:
            try:
                fits.append(SARIMAX(train, order=order,
                                    seasonal_order=seasonal_order).fit(disp=False))
            except (ValueError, np.linalg.LinAlgError):  # an order the series cannot support
                continue
    return min(fits, key=lambda fitted: fitted.aic)


def auto_arima(train: np.ndarray, test: np.ndarray, orders: list | None = None) -> dict:
    """fit_auto_arima's model; one-step forecasts filter the test months with its
    parameters frozen. Its orders are recorded ("orders")."""
    fitted = fit_auto_arima(np.asarray(train, dtype="float64"), orders)
    frozen = fitted.apply(np.concatenate([train, test]).astype("float64"))
    one_step = frozen.get_prediction(start=len(train)).predicted_mean
    return {**forecasting.scores(test, one_step, fitted.forecast(len(test))),
            "orders": [list(fitted.model.order), list(fitted.model.seasonal_order)]}


def airline(seed: int = 0, quick: bool = False) -> dict[str, dict]:
    """Deterministic: the same for every seed (`seed` is accepted for symmetry); `quick`
    searches QUICK_ORDERS seasonal ARIMA orders, not all of them."""
    import airline_lstm

    series = airline_lstm.load_series(cli.DEFAULT_DATA_DIR / airline_lstm.BUNDLED_CSV.name).to_numpy()
    train, test = airline_lstm.split_data(series)
    naive = forecasting.naive_baselines(train, test, airline_lstm.SEASON)
    orders = AUTO_ARIMA_ORDERS[:QUICK_ORDERS] if quick else None
    with warnings.catch_warnings():  # statsmodels' convergence chatter on 108 months
        warnings.simplefilter("ignore")
        return {
            "naive": _timed("naive (last month)", "naive", lambda: naive["naive"]),
            "seasonal_naive": _timed("seasonal naive (same month last year)", "seasonal naive",
                                     lambda: naive["seasonal_naive"]),
            "holt_winters": _timed("Holt-Winters (additive trend, multiplicative season)", "Holt-Winters",
                                   lambda: holt_winters(train, test)),
            "sarima": _timed("SARIMA (0,1,1)(0,1,1)12 on logs", "SARIMA", lambda: sarima(train, test)),
            "auto_arima": _timed("seasonal ARIMA, orders by AIC on the training months",
                                 "auto-ARIMA", lambda: auto_arima(train, test, orders)),
        }


"""## har: a small 1D CNN, trained like the chapter preset (held-out training subjects, early
stopping) and, like the best preset, on every training subject for a fixed budget"""


def har(seed: int, quick: bool = False, data_dir: Path | None = None) -> dict[str, dict]:
    import har_lstm
    import keras
    from keras import layers

    arrays, _, _ = har_lstm.load_data(data_dir or cli.DEFAULT_DATA_DIR, explicit=data_dir is not None)
    x_train, y_train, subjects = arrays["x_train"], arrays["y_train"], arrays["subject_train"]
    x_test, y_test = arrays["x_test"], arrays["y_test"]
    if quick:
        n_train, n_test = har_lstm.DRY_RUN_WINDOWS
        x_train, y_train, subjects = x_train[:n_train], y_train[:n_train], subjects[:n_train]
        x_test, y_test = x_test[:n_test], y_test[:n_test]
    held_out = har_lstm.split_validation(
        subjects, min(har_lstm.PRESETS["chapter"]["validation_subjects"],
                      len(np.unique(subjects)) - 1), seed)

    def compute(fit_x, fit_y, early_stopping: bool):
        keras.utils.set_random_seed(seed)
        inputs = keras.Input(shape=x_train.shape[1:])
        x = layers.Normalization(mean=fit_x.mean(axis=(0, 1)), variance=fit_x.var(axis=(0, 1)))(inputs)
        x = layers.Conv1D(32, 7, padding="same", activation="relu")(x)
        x = layers.MaxPooling1D(2)(x)
        x = layers.Conv1D(64, 5, padding="same", activation="relu")(x)
        x = layers.GlobalAveragePooling1D()(x)
        x = layers.Dropout(0.3)(x)
        model = keras.Model(inputs, layers.Dense(len(har_lstm.LABELS))(x))
        model.compile(optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"],
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        watch = dict(validation_data=(x_train[held_out], y_train[held_out]), callbacks=[
            keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)])
        model.fit(fit_x, fit_y, batch_size=64, epochs=1 if quick else 30, verbose=0,
                  **(watch if early_stopping else {}))
        predicted = model.predict(x_test, batch_size=1024, verbose=0).argmax(axis=1)
        from sklearn.metrics import f1_score
        return {"test_accuracy": float((predicted == y_test).mean()),
                "f1_weighted": float(f1_score(y_test, predicted, average="weighted"))}

    return {"cnn_1d": _timed("1D CNN (2 conv layers, global average pooling)", "1D CNN",
                             lambda: compute(x_train[~held_out], y_train[~held_out], True)),
            # The best preset's data: every training subject, a fixed budget (its own 30).
            "cnn_1d_all_subjects": _timed("1D CNN, every training subject, 30 epochs",
                                          "1D CNN, all subjects",
                                          lambda: compute(x_train, y_train, False))}


BASELINES = {"spam": spam, "airline": airline, "sentiment": sentiment, "har": har}
PER_SEED = {"spam": True, "airline": False, "sentiment": True, "har": True}
