// Webcam mode: run a step on the live video over and over, one frame at a time (never
// queueing frames behind a slow inference), and report the frames per second achieved.

function nextFrame(video) {
  return new Promise((resolve) => {
    if (typeof video.requestVideoFrameCallback === 'function') video.requestVideoFrameCallback(() => resolve());
    else requestAnimationFrame(() => resolve());
  });
}

/**
 * Starts the camera in `video` and calls `await step()` for each processed frame; onFps(fps)
 * about twice a second. Returns stop(), which ends the loop and releases the camera.
 * Rejects when there is no camera or permission is refused.
 */
export async function startWebcam(video, step, onFps) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('this browser gives pages no camera access (it needs a secure context: https or localhost)');
  }
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'environment' },
    audio: false,
  });
  video.srcObject = stream;
  await video.play();

  let running = true;
  const stop = () => {
    running = false;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };

  (async () => {
    let frames = 0;
    let windowStart = performance.now();
    while (running) {
      try {
        await step();
      } catch (error) {
        stop();
        onFps(null, error);
        return;
      }
      frames += 1;
      const elapsed = performance.now() - windowStart;
      if (elapsed >= 500) {
        if (running) onFps((1000 * frames) / elapsed);
        frames = 0;
        windowStart = performance.now();
      }
      if (running) await nextFrame(video);
    }
  })();
  return stop;
}
