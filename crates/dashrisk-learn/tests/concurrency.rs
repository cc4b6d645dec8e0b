//! A trained comparison model is `Send + Sync`, and predicting one batch from 8
//! threads at once gives exactly the serial predictions.

use dashrisk::{synth, Assessment, Predictor};
use dashrisk_learn::{LogisticModel, LogisticParams, ParamGuard, TrainingSet};

#[test]
fn eight_threads_give_the_serial_predictions() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<LogisticModel>();

    let recs = synth::generate(3000, 21, &Default::default());
    let a: Vec<Assessment> = recs.iter().map(|r| r.assessment.clone()).collect();
    let y: Vec<bool> = recs.iter().map(|r| r.abuse).collect();
    let set = TrainingSet::from_assessments(&a, &y, "label_abuse", "synth seed 21", true).unwrap();
    let model = LogisticParams::new().check().unwrap().fit(&set).unwrap();

    let predict_all = || -> Vec<_> { a.iter().map(|x| model.predict(x).unwrap()).collect() };
    let serial = predict_all();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8).map(|_| scope.spawn(predict_all)).collect();
        for h in handles {
            assert!(h.join().unwrap() == serial, "a thread's predictions differ");
        }
    });
}
