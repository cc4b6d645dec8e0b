use thiserror::Error;
pub type Result<T> = std::result::Result<T, Error>;

#[derive(Error, Debug)]
pub enum Error {
    #[error(transparent)]
    LinfaError(#[from] linfa::Error),
    #[error("More than two classes for logistic regression")]
    TooManyClasses,
    #[error("Fewer than two classes for logistic regression")]
    TooFewClasses,
    #[error(transparent)]
    ArgMinError(#[from] argmin::core::Error),
    #[error("Expected `x` and `y` to have same number of rows, got {0} != {1}")]
    MismatchedShapes(usize, usize),
    #[error("Values must be finite and not `Inf`, `-Inf` or `NaN`")]
    InvalidValues,
    #[error("Rows of initial parameter ({rows}) must be the same as the number of features ({n_features})")]
    InitialParameterFeaturesMismatch { rows: usize, n_features: usize },
    #[error("Columns of initial parameter ({cols}) must be the same as the number of classes ({n_classes})")]
    InitialParameterClassesMismatch { cols: usize, n_classes: usize },

    #[error("gradient_tolerance must be a positive, finite number")]
    InvalidGradientTolerance,
    #[error("alpha must be a positive, finite number")]
    InvalidAlpha,
    #[error("Initial parameters must be finite")]
    InvalidInitialParameters,
    /// dashrisk patch: not one sample weight per row of the records.
    #[error("Expected one sample weight per row of `x` ({n_samples}), got {n_weights}")]
    MismatchedSampleWeights { n_samples: usize, n_weights: usize },
    /// dashrisk patch: a sample weight that is negative, infinite or NaN.
    #[error("Sample weights must be finite and 0 or more")]
    InvalidSampleWeights,
}
