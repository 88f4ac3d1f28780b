// The peer-connection demo in plain JavaScript, no framework and no build step: the reference the Rust page is
// measured against (bench/run.mjs). Same ids, same button states, same flow:
//   Start   getUserMedia({audio, video}) into the local video
//   Call    pc1 -> pc2 in this page, ICE candidates handed over in memory, offer/answer, pc2's track -> remote video
//   Hang Up close both, clear the remote video; Call works again
//   Stop    hang up if needed and release the camera

const startButton = document.getElementById('startButton');
const callButton = document.getElementById('callButton');
const hangupButton = document.getElementById('hangupButton');
const stopButton = document.getElementById('stopButton');
const localVideo = document.getElementById('localVideo');
const remoteVideo = document.getElementById('remoteVideo');
const logList = document.getElementById('log');

const LOG_LIMIT = 300; // the Rust page keeps the last 300 lines too, so memory figures stay comparable

let localStream = null;
let pc1 = null;
let pc2 = null;
let callStartedAt = null; // performance.now() of the Call click, until the first remote frame

function log(text) {
  console.log(text);
  const li = document.createElement('li');
  li.textContent = text;
  logList.append(li);
  if (logList.children.length > LOG_LIMIT) logList.firstElementChild.remove();
}

/** Enables exactly the named buttons. */
function enable(...buttons) {
  for (const button of [startButton, callButton, hangupButton, stopButton]) {
    button.disabled = !buttons.includes(button);
  }
}

async function start() {
  enable(); // nothing is clickable while the camera is being asked for
  log('Requesting local stream');
  try {
    localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  } catch (error) {
    log(`getUserMedia failed: ${error.name}: ${error.message}`);
    enable(startButton);
    return;
  }
  localVideo.srcObject = localStream;
  log('Received local stream');
  enable(callButton, stopButton);
}

/** Hands each ICE candidate (and the final null) of `from` to `to`. */
function forwardCandidates(from, to, name) {
  from.addEventListener('icecandidate', ({ candidate }) => {
    to.addIceCandidate(candidate).then(
      () => log(`${name} ${candidate ? 'added ICE candidate' : 'got end-of-candidates'}`),
      (error) => to.connectionState !== 'closed' && log(`${name} addIceCandidate failed: ${error}`),
    );
  });
}

async function call() {
  callStartedAt = performance.now();
  enable(hangupButton, stopButton);
  log('Starting call');

  const a = (pc1 = new RTCPeerConnection({}));
  const b = (pc2 = new RTCPeerConnection({}));
  forwardCandidates(a, b, 'pc2');
  forwardCandidates(b, a, 'pc1');
  a.addEventListener('connectionstatechange', () => log(`pc1 connection state: ${a.connectionState}`));
  b.addEventListener('connectionstatechange', () => log(`pc2 connection state: ${b.connectionState}`));
  b.addEventListener('track', ({ streams: [stream] }) => {
    if (stream && remoteVideo.srcObject !== stream) {
      remoteVideo.srcObject = stream;
      log('pc2 received remote stream');
    }
  });
  for (const track of localStream.getTracks()) a.addTrack(track, localStream);

  try {
    const offer = await a.createOffer();
    await a.setLocalDescription(offer);
    await b.setRemoteDescription(offer);
    const answer = await b.createAnswer();
    await b.setLocalDescription(answer);
    await a.setRemoteDescription(answer);
    log('Offer and answer done');
  } catch (error) {
    // A hang-up during the negotiation closes the connections; their promises then reject. Not worth a line.
    if (pc1 === a) log(`Negotiation failed: ${error}`);
  }
}

function hangUp() {
  log('Ending call');
  pc1?.close();
  pc2?.close();
  pc1 = pc2 = null;
  callStartedAt = null;
  remoteVideo.srcObject = null;
  enable(callButton, stopButton);
}

function stop() {
  if (pc1) hangUp();
  for (const track of localStream.getTracks()) track.stop();
  localStream = null;
  localVideo.srcObject = null;
  log('Stopped the camera and microphone');
  enable(startButton);
}

// The remote video's first resize after Call is its first frame: report the setup time, like the pc1 sample.
remoteVideo.addEventListener('resize', () => {
  if (callStartedAt !== null && remoteVideo.videoWidth > 0) {
    log(`Setup time: ${(performance.now() - callStartedAt).toFixed(1)} ms`);
    callStartedAt = null;
  }
});

startButton.addEventListener('click', start);
callButton.addEventListener('click', call);
hangupButton.addEventListener('click', hangUp);
stopButton.addEventListener('click', stop);
enable(startButton);
