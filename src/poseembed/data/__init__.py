"""The synthetic sports benchmark generator: a 3-D skeleton posed by joint angles, the sports'
motion programs, the rendering of videos and still images, and the ground truth the generator
knows (joints, repetition phase, person masks, posture labels, approximate dense flow), all
written in the real datasets' formats.
"""
